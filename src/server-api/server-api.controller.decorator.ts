import { applyDecorators, Controller, UseFilters, UseGuards, UsePipes } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard } from './api-key.guard.js';
import { apiValidationPipe } from './api-validation.pipe.js';
import { ProblemDetailsFilter } from './problem-details.filter.js';

/** Where every route of the server HTTP API lives: the version is in the path. */
export const SERVER_API_PREFIX = 'api/v1';

/** The name of the bearer security scheme in the OpenAPI document. */
export const API_KEY_SCHEME = 'api-key';

/**
 * A controller of the server HTTP API at `/api/v1/<path>` (`/api/v1` for ''), grouped under `tag` in
 * the docs: the key guard, the validation pipe and the problem details filter bound at its scope (the
 * gateway and the host's routes keep their own).
 */
export function ServerApiController(path: string, tag = path): ClassDecorator {
  return applyDecorators(
    Controller(path === '' ? SERVER_API_PREFIX : `${SERVER_API_PREFIX}/${path}`),
    UseGuards(ApiKeyGuard),
    UsePipes(apiValidationPipe()),
    UseFilters(ProblemDetailsFilter),
    ApiBearerAuth(API_KEY_SCHEME),
    ApiTags(tag),
  );
}
