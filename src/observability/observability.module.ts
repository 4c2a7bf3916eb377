import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { RefusalLog } from '../common/refusal-log.js';
import { ChatMetrics } from './chat-metrics.js';
import { HealthController } from './health.controller.js';
import { MetricsController } from './metrics.controller.js';
import { OpsPortGuard } from './ops-port.guard.js';
import { OpsServer } from './ops-server.js';

/** Metrics, health endpoints (on PORT or on their own OPS_PORT) and refusal logs for operators. */
@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController, MetricsController],
  providers: [ChatMetrics, RefusalLog, OpsServer, OpsPortGuard],
  exports: [ChatMetrics, RefusalLog, OpsServer],
})
export class ObservabilityModule {}
