import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { configureApp } from './app.setup.js';
import { appConfig, type AppConfig } from './config/app-config.js';
import { exitOnBootFailure } from './process/boot-failure.js';
import { listen } from './process/listen.js';
import { armShutdownBackstop } from './process/shutdown-backstop.js';

try {
  // Logs stay buffered (and a failed boot's are dropped: exitOnBootFailure reports it) until the pino logger is in,
  // so that a bad key (appConfig's factory, the one parse of the environment, throws it) is one log line rather
  // than a dependency-injection stack trace.
  const app = configureApp(
    await NestFactory.create(AppModule, {
      bufferLogs: true,
      autoFlushLogs: false,
      abortOnError: false,
    }),
  );
  app.flushLogs();
  const config = app.get<AppConfig>(appConfig.KEY);
  armShutdownBackstop(config.SHUTDOWN_TIMEOUT_MS);
  await app.init();
  // Not app.listen(): it logs a listen error itself, as a bare string, before rethrowing it.
  const address = await listen(app.getHttpServer(), config.PORT, config.HOST);
  new Logger('Switchboard').log(`listening on http://${config.HOST}:${address.port}`);
} catch (error) {
  exitOnBootFailure(error);
}
