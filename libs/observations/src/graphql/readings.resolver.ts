import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { RequireAbility, Security, type SecurityContext } from '@clinloop/authz';
import { SubmitReadingInput } from './dto/submit-reading.input';
import { HomeSummaryModel } from './models/home-summary.model';
import { ReadingModel, SubmittedReadingModel } from './models/reading.model';
import { MAX_READINGS_PAGE, ReadingsService } from './readings.service';

@Resolver(() => ReadingModel)
export class ReadingsResolver {
  constructor(private readonly readingsService: ReadingsService) {}

  @Query(() => [ReadingModel], {
    description: `The patient's readings (your own; your care teams' patients), newest first, entered-in-error ones included and flagged. Any other patient is "not found".`,
  })
  @RequireAbility('read', 'Observation')
  readings(
    @Security() security: SecurityContext,
    @Args('patientId', { type: () => ID }) patientId: string,
    @Args('from', { type: () => Date, nullable: true, description: 'Measured at or after.' }) from: Date | null,
    @Args('to', { type: () => Date, nullable: true, description: 'Measured before.' }) to: Date | null,
    @Args('first', { type: () => Int, defaultValue: 100, description: `Page size, at most ${MAX_READINGS_PAGE}.` }) first: number,
  ): Promise<ReadingModel[]> {
    return this.readingsService.readings(security, { patientId, from, to, first });
  }

  @Query(() => HomeSummaryModel, { nullable: true, description: "The patient's current 7/14/30-day feature windows; null before the first decision reading." })
  @RequireAbility('read', 'Observation')
  homeSummary(@Security() security: SecurityContext, @Args('patientId', { type: () => ID }) patientId: string): Promise<HomeSummaryModel | null> {
    return this.readingsService.homeSummary(security, patientId);
  }

  @Mutation(() => SubmittedReadingModel, {
    description:
      'Enter a home reading for a patient (your own; a care-team clinician for their patient). Same validation and storing path as device readings; a retry with the same idempotency key stores nothing new.',
  })
  @RequireAbility('create', 'Observation')
  submitReading(@Security() security: SecurityContext, @Args('input') input: SubmitReadingInput): Promise<SubmittedReadingModel> {
    return this.readingsService.submitReading(security, input);
  }

  @Mutation(() => ReadingModel, { description: 'Mark a reading entered in error, with a reason: it is kept and shown, audited, and no longer used for anything.' })
  @RequireAbility('update', 'Observation')
  markReadingEnteredInError(
    @Security() security: SecurityContext,
    @Args('readingId', { type: () => ID }) readingId: string,
    @Args('reason') reason: string,
  ): Promise<ReadingModel> {
    return this.readingsService.markEnteredInError(security, readingId, reason);
  }
}
