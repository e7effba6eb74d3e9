/**
 * The code-first GraphQL surface both benchmark apps serve (bench/graphql-driver.bench.ts).
 * One resolver class, one object type: the only thing that differs between the two apps is the
 * GraphQL driver and the HTTP adapter underneath it.
 */
import { Args, Field, Float, ID, Int, ObjectType, Query, Resolver } from '@nestjs/graphql';

export const LIST_SIZE = 50;

@ObjectType('BenchReading', { description: 'A home blood-pressure reading (benchmark fixture).' })
export class BenchReading {
  @Field(() => ID)
  id!: string;

  @Field()
  patientId!: string;

  @Field(() => Int)
  systolic!: number;

  @Field(() => Int)
  diastolic!: number;

  @Field(() => Float)
  weightKg!: number;

  @Field()
  takenAt!: string;
}

const READINGS: readonly BenchReading[] = Array.from({ length: LIST_SIZE }, (_, i) => ({
  id: `reading-${String(i).padStart(4, '0')}`,
  patientId: `patient-${String(i % 7).padStart(3, '0')}`,
  systolic: 118 + (i % 30),
  diastolic: 72 + (i % 15),
  weightKg: 60 + i / 4,
  takenAt: new Date(Date.UTC(2026, 10, 1, 6, i)).toISOString(),
}));

@Resolver(() => BenchReading)
export class BenchResolver {
  @Query(() => [BenchReading], { description: 'The latest readings (at most 50).' })
  readings(
    @Args('limit', { type: () => Int, defaultValue: LIST_SIZE }) limit: number,
  ): readonly BenchReading[] {
    return READINGS.slice(0, Math.max(0, Math.min(limit, LIST_SIZE)));
  }

  @Query(() => String, { description: 'Smallest possible query.' })
  ping(): string {
    return 'pong';
  }
}
