import {
  Injectable,
  NotFoundException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { OpsServer } from './ops-server.js';

/** Hides an operators' route on the public PORT (404, as if it did not exist) once OPS_PORT is set. */
@Injectable()
export class OpsPortGuard implements CanActivate {
  constructor(private readonly ops: OpsServer) {}

  canActivate(context: ExecutionContext): boolean {
    if (
      !this.ops.enabled ||
      this.ops.received(context.switchToHttp().getRequest<IncomingMessage>())
    )
      return true;
    throw new NotFoundException();
  }
}
