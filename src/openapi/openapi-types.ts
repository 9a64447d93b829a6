// The OpenAPI object types this folder edits, taken from @nestjs/swagger's document type (the
// package does not export them by name).
import type { OpenAPIObject } from '@nestjs/swagger';

export type OperationObject = NonNullable<OpenAPIObject['paths'][string]['get']>;
type SchemaOrRef = NonNullable<NonNullable<OpenAPIObject['components']>['schemas']>[string];
export type SchemaObject = Exclude<SchemaOrRef, { $ref: string }>;
