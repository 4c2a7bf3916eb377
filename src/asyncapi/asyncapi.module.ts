import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AsyncApiContractService } from './asyncapi-contract.service.js';
import { AsyncApiController } from './asyncapi.controller.js';

/** The wire contract, generated from the gateways: `/asyncapi.json` and its page `/asyncapi`. */
@Module({
  imports: [DiscoveryModule],
  controllers: [AsyncApiController],
  providers: [AsyncApiContractService],
  exports: [AsyncApiContractService],
})
export class AsyncApiModule {}
