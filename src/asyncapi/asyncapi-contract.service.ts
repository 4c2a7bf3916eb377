import { Inject, Injectable, Logger } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { appConfig, type AppConfig } from '../config/app-config.js';
import { discoverGateways, messageBodyType } from '../fast-path/gateway-discovery.js';
import { AsyncApiEvent } from '../gateway/async-api-event.decorator.js';
import {
  generateContract,
  type GatewayEvent,
  type GeneratedContract,
} from './asyncapi-document.js';
import { renderContractPage } from './asyncapi-page.js';

/**
 * The app's AsyncAPI document, generated from its gateways on first use and kept: gateways, handlers
 * and DTOs do not change while the process runs. A gateway event left undocumented is logged once.
 */
@Injectable()
export class AsyncApiContractService {
  private readonly logger = new Logger(AsyncApiContractService.name);
  private generated: { contract: GeneratedContract; json: string; html: string } | undefined;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
    @Inject(appConfig.KEY) private readonly config: AppConfig,
  ) {}

  /** The document and its gaps. */
  get contract(): GeneratedContract {
    return this.generate().contract;
  }

  /** The document as served at `/asyncapi.json`. */
  get json(): string {
    return this.generate().json;
  }

  /** The document as the readable page served at `/asyncapi`. */
  get html(): string {
    return this.generate().html;
  }

  /** Every gateway event of the app, as the document is generated from. */
  gatewayEvents(): GatewayEvent[] {
    const events: GatewayEvent[] = [];
    for (const gateway of discoverGateways(this.discovery)) {
      const prototype = Object.getPrototypeOf(gateway.instance) as Record<string, unknown>;
      for (const handler of gateway.handlers) {
        if (typeof handler.message !== 'string') continue;
        events.push({
          gateway: gateway.instance.constructor.name,
          path: gateway.path,
          event: handler.message,
          payloadType: messageBodyType(gateway.instance, handler.methodName),
          doc: this.reflector.get(AsyncApiEvent, prototype[handler.methodName] as () => void),
        });
      }
    }
    return events;
  }

  private generate() {
    if (!this.generated) {
      const contract = generateContract(this.gatewayEvents(), {
        defaultHost: `localhost:${this.config.PORT}`,
        jwt: Boolean(this.config.JWT_SECRET ?? this.config.JWT_PUBLIC_KEY),
      });
      for (const gap of contract.gaps) this.logger.warn(`AsyncAPI document: ${gap}`);
      this.generated = {
        contract,
        json: JSON.stringify(contract.document),
        html: renderContractPage(contract.document),
      };
    }
    return this.generated;
  }
}
