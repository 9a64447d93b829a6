// Request bodies of /admin/v1/keys. Limits are whole numbers from 1; on update, null removes a
// limit and an absent field keeps it.
import { Type } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Min, ValidateIf, ValidateNested } from 'class-validator';
import { BUDGET_PERIODS, KEY_NAME, KEY_NAME_RULE } from '../access/client-key-specs';
import type { BudgetPeriod } from '../store/client-key';

const WHOLE = { message: 'must be a whole number' };
const FROM_ONE = { message: 'must be at least 1' };
const DURATION = /^\d{1,6}[smhdw]$/;

export class BudgetDto {
  @IsInt(WHOLE)
  @Min(1, FROM_ONE)
  tokens!: number;

  @IsIn(BUDGET_PERIODS, { message: 'must be day or month' })
  per!: BudgetPeriod;
}

/** Fields shared by create and update. `undefined` (absent) keeps, `null` removes (update only). */
class KeyLimitsDto {
  @IsOptional()
  @IsArray({ message: 'must be a list of model globs (empty: every model)' })
  @IsString({ each: true, message: 'must hold model globs as strings' })
  models?: string[];

  @ValidateIf((_o, v) => v !== undefined && v !== null)
  @IsInt(WHOLE)
  @Min(1, FROM_ONE)
  rpm?: number | null;

  @ValidateIf((_o, v) => v !== undefined && v !== null)
  @IsInt(WHOLE)
  @Min(1, FROM_ONE)
  tpm?: number | null;

  @ValidateIf((_o, v) => v !== undefined && v !== null)
  @IsInt(WHOLE)
  @Min(1, FROM_ONE)
  concurrency?: number | null;

  @ValidateIf((_o, v) => v !== undefined && v !== null)
  @ValidateNested()
  @Type(() => BudgetDto)
  budget?: BudgetDto | null;

  /** From now: `12h`, `30d`, `2w`. */
  @ValidateIf((_o, v) => v !== undefined && v !== null)
  @Matches(DURATION, { message: 'must be a duration such as 12h, 30d or 2w' })
  expires_in?: string | null;

  /** An ISO 8601 time. */
  @ValidateIf((_o, v) => v !== undefined && v !== null)
  @IsISO8601({ strict: true }, { message: 'must be an ISO 8601 date and time' })
  expires_at?: string | null;
}

export class CreateKeyDto extends KeyLimitsDto {
  @IsString({ message: 'must be a string' })
  @Matches(KEY_NAME, { message: `is not a valid name: ${KEY_NAME_RULE}` })
  name!: string;
}

export class UpdateKeyDto extends KeyLimitsDto {}
