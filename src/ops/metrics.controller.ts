import { Controller, Get, UseGuards, Header } from '@nestjs/common';
import { ChatMetrics } from '../observability/chat-metrics.js';
import { OpsPortGuard } from './ops-port.guard.js';

/** `GET /metrics`: Prometheus text format. */
@UseGuards(OpsPortGuard)
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: ChatMetrics) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
