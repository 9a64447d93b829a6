import { Module } from '@nestjs/common';
import { ProtocolTable } from '../translate/protocol-table';
import { RequestRouter } from './request-router.service';

// The protocol table is plain TypeScript (translate/); it is provided here because the router
// picks a request's bridge from it once it knows the serving executor's protocol.
@Module({
  providers: [RequestRouter, { provide: ProtocolTable, useFactory: () => new ProtocolTable() }],
  exports: [RequestRouter, ProtocolTable],
})
export class RoutingModule {}
