import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ChatMetrics } from './chat-metrics.js';
import { HealthController } from './health.controller.js';
import { MetricsController } from './metrics.controller.js';
import { OpsPortGuard } from './ops-port.guard.js';
import { OpsServer } from './ops-server.js';

/** Metrics and health endpoints for operators, on PORT or on their own OPS_PORT. */
@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController, MetricsController],
  providers: [ChatMetrics, OpsServer, OpsPortGuard],
  exports: [ChatMetrics, OpsServer],
})
export class ObservabilityModule {}
