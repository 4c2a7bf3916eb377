import { Controller, Get, Header, NotFoundException, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AssetCatalog } from './asset-catalog.js';

/** `GET /` the web client (`no-cache`), `GET /assets/:name` its content-hashed, immutable assets. */
@Controller()
export class WebController {
  constructor(private readonly catalog: AssetCatalog) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  index(): string {
    return this.catalog.indexHtml;
  }

  @Get('assets/:name')
  asset(@Param('name') name: string, @Res() response: Response): void {
    const asset = this.catalog.asset(name);
    if (!asset) throw new NotFoundException();
    response
      .set({
        'Content-Type': asset.contentType,
        'Cache-Control': 'public, max-age=31536000, immutable',
        ETag: asset.etag,
      })
      .send(asset.body);
  }
}
