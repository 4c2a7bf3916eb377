import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';
import { MetricsController } from './metrics.controller.js';
import { OpsPortGuard } from './ops-port.guard.js';
import { OpsServer } from './ops-server.js';

/** Health and metrics endpoints for operators, on PORT or on their own OPS_PORT. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController, MetricsController],
  providers: [OpsServer, OpsPortGuard],
  exports: [OpsServer],
})
export class OpsModule {}
