/** What a Nest application imports to run Switchboard inside itself. */
export {
  appConfig,
  InvalidConfigurationError,
  type AppConfig,
  type SwitchboardOptions,
} from './config/app-config.js';
export {
  SwitchboardModule,
  type SwitchboardModuleAsyncOptions,
  type SwitchboardModuleOptions,
} from './switchboard.module.js';
export { useSwitchboard } from './switchboard.setup.js';
