import { Module } from '@nestjs/common';
import { RequestRouter } from './request-router.service';

@Module({ providers: [RequestRouter], exports: [RequestRouter] })
export class RoutingModule {}
