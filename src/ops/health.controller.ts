import { Controller, Get, UseGuards } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
} from '@nestjs/terminus';
import { Broker } from '../engine/broker.js';
import { MessageStore } from '../engine/message-store.js';
import { OpsPortGuard } from './ops-port.guard.js';

/** `GET /health/live` (the process answers) and `GET /health/ready` (every configured backend answers). */
@UseGuards(OpsPortGuard)
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly store: MessageStore,
    private readonly broker: Broker,
  ) {}

  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      async () => {
        const check = this.indicator.check('store');
        return (await this.store.isReady().catch(() => false))
          ? check.up()
          : check.down({ message: 'store unreachable' });
      },
      async () => {
        const check = this.indicator.check('broker');
        return (await this.broker.isReady().catch(() => false))
          ? check.up()
          : check.down({ message: 'broker unreachable' });
      },
    ]);
  }
}
