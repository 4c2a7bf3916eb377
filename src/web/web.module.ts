import { Module } from '@nestjs/common';
import { AssetCatalog } from './asset-catalog.js';
import { WebController } from './web.controller.js';

/** Serves the browser client. */
@Module({ controllers: [WebController], providers: [AssetCatalog] })
export class WebModule {}
