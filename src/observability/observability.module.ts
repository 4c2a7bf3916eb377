import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { RefusalLog } from '../common/refusal-log.js';
import { ChatMetrics } from './chat-metrics.js';
import { HealthController } from './health.controller.js';
import { MetricsController } from './metrics.controller.js';

/** Metrics, health endpoints and refusal logs for operators. */
@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController, MetricsController],
  providers: [ChatMetrics, RefusalLog],
  exports: [ChatMetrics, RefusalLog],
})
export class ObservabilityModule {}
