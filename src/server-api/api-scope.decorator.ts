import { Reflector } from '@nestjs/core';
import type { ServerApiScope } from '../config/server-api-keys.js';

/** The scope a route of the server HTTP API requires; a room scope is also checked against the `:room` parameter. */
export const ApiScope = Reflector.createDecorator<ServerApiScope>();
