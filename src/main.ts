import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { configureApp } from './app.setup.js';
import { appConfig, type AppConfig } from './config/app-config.js';

const app = configureApp(await NestFactory.create(AppModule, { bufferLogs: true }));
const config = app.get<AppConfig>(appConfig.KEY);
await app.listen(config.PORT, config.HOST);
new Logger('Switchboard').log(`listening on ${await app.getUrl()}`);
