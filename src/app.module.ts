import { Module } from '@nestjs/common';
import { parseEnvironment } from './config/app-config.js';
import { SwitchboardModule } from './switchboard.module.js';

/** The standalone service: `SwitchboardModule` with the validated process environment as its options. */
@Module({
  imports: [
    // A factory, not forRoot(parseEnvironment(…)): a bad key then fails the boot inside main.ts's try,
    // as one log line, rather than while this file is imported.
    SwitchboardModule.forRootAsync({ useFactory: () => parseEnvironment(process.env) }),
  ],
})
export class AppModule {}
