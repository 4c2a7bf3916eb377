import { Global, Module } from '@nestjs/common';
import { ChatMetrics } from './chat-metrics.js';
import { RefusalLog } from './refusal-log.js';

/** Metrics and refusal logs, for every layer above to report into. */
@Global()
@Module({ providers: [ChatMetrics, RefusalLog], exports: [ChatMetrics, RefusalLog] })
export class ObservabilityModule {}
