// `routing:` of providers.yaml: the strategy, cooldowns, attempts, aliases, fallbacks and payload
// rules that decide how a request finds a provider and what happens when one fails.
import { Transform, plainToInstance } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, Min, ValidateNested, type ValidationOptions } from 'class-validator';
import { isObject } from '../../protocol/json-object';
import { customRule, toDto, toNumber } from './schema-helpers';

export const STRATEGIES = ['round-robin', 'fill-first', 'least-busy'] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** A model name clients may use (`aliases:` value): one model, or several tried in order. */
function IsModelOrModels(options?: ValidationOptions) {
  return customRule('isModelOrModels', 'must map names to a model id or a list of model ids', (value) => isObject(value) && Object.values(value).every(isModelOrModels), options);
}

function isModelOrModels(value: unknown): boolean {
  return isModelId(value) || (Array.isArray(value) && value.length > 0 && value.every(isModelId));
}

function isModelId(value: unknown): boolean {
  return typeof value === 'string' && value !== '';
}

/** A path such as `reasoning.effort`: dot-separated object keys, none empty. */
const DOT_PATH = /^[^.]+(\.[^.]+)*$/;

/** `payload.default[]` / `payload.override[]`: set these fields for these models. */
export class PayloadSetRuleDto {
  @IsArray({ message: 'must be a list of model globs' })
  @IsString({ each: true, message: 'must list model globs as strings' })
  models!: string[];

  @IsObject({ message: 'must map field paths (e.g. reasoning.effort) to values' })
  params!: Record<string, unknown>;
}

/** `payload.filter[]`: remove these fields for these models. */
export class PayloadFilterRuleDto {
  @IsArray({ message: 'must be a list of model globs' })
  @IsString({ each: true, message: 'must list model globs as strings' })
  models!: string[];

  @IsArray({ message: 'must be a list of field paths' })
  @Matches(DOT_PATH, { each: true, message: 'must list field paths such as "reasoning.effort"' })
  params!: string[];
}

const toRules = <T extends object>(cls: new () => T) => ({ value }: { value: unknown }) =>
  Array.isArray(value) ? value.map((rule) => (isObject(rule) ? plainToInstance(cls, rule) : rule)) : value;

/** `routing.payload`: rewrite the upstream request per model (seed-spec §5.4). */
export class PayloadRulesDto {
  @IsOptional()
  @IsArray({ message: 'must be a list of {models, params} rules' })
  @Transform(toRules(PayloadSetRuleDto))
  @ValidateNested({ each: true })
  default?: PayloadSetRuleDto[];

  @IsOptional()
  @IsArray({ message: 'must be a list of {models, params} rules' })
  @Transform(toRules(PayloadSetRuleDto))
  @ValidateNested({ each: true })
  override?: PayloadSetRuleDto[];

  @IsOptional()
  @IsArray({ message: 'must be a list of {models, params} rules' })
  @Transform(toRules(PayloadFilterRuleDto))
  @ValidateNested({ each: true })
  filter?: PayloadFilterRuleDto[];
}

/** `routing:` — how requests find a provider, and what happens when one fails (issue #6). */
export class RoutingConfigDto {
  @IsOptional()
  @IsIn(STRATEGIES, { message: `must be one of ${STRATEGIES.join(', ')}` })
  strategy?: Strategy;

  /** Rest for a credential after a 429 that names no reset time. */
  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(0)
  cooldown_ms?: number;

  /** Upstream attempts per request, across credentials and fallbacks. */
  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'must be a whole number' })
  @Min(1)
  @Max(20)
  max_attempts?: number;

  /** No new attempt starts after this long (the request's own calls run to their timeouts). */
  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(1)
  deadline_ms?: number;

  /** Public names → a model, or a list tried in order. */
  @IsOptional()
  @IsModelOrModels()
  aliases?: Record<string, string | string[]>;

  /** Model → models (usually on other providers) tried when it cannot answer. */
  @IsOptional()
  @IsModelOrModels({ message: 'must map model ids to a model id or a list of model ids' })
  fallbacks?: Record<string, string | string[]>;

  /** Rules that rewrite the upstream request per model glob (default / override / filter). */
  @IsOptional()
  @IsObject({ message: 'must be a mapping with default, override and filter lists' })
  @Transform(toDto(PayloadRulesDto))
  @ValidateNested()
  payload?: PayloadRulesDto;
}
