import { Controller, Get, Header } from '@nestjs/common';
import { AsyncApiContractService } from './asyncapi-contract.service.js';
import { CONTRACT_PAGE_CSS } from './asyncapi-page.js';

/** `GET /asyncapi.json` the wire contract as an AsyncAPI 3.0 document, `GET /asyncapi` the same as a page. */
@Controller()
export class AsyncApiController {
  constructor(private readonly contract: AsyncApiContractService) {}

  @Get('asyncapi.json')
  @Header('Content-Type', 'application/json; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  document(): string {
    return this.contract.json;
  }

  @Get('asyncapi')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  page(): string {
    return this.contract.html;
  }

  @Get('asyncapi.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  stylesheet(): string {
    return CONTRACT_PAGE_CSS;
  }
}
