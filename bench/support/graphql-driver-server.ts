/**
 * Child process of bench/graphql-driver.bench.ts: builds ONE minimal Nest app with the shared
 * code-first resolver on the driver named in argv[2], listens on 127.0.0.1 on a free port,
 * reports the port over IPC, answers CPU-usage probes and exits when told to (or when the
 * parent goes away). Run only by the bench, never directly.
 */
import 'reflect-metadata';
import type { Server } from 'node:http';
import { DynamicModule, INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { MercuriusDriver, MercuriusDriverConfig } from '@nestjs/mercurius';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import {
  DriverName,
  GRAPHQL_PATH,
  isControlMessage,
  isDriverName,
  ServerMessage,
} from './graphql-driver-protocol';
import { BenchResolver } from './graphql-driver-schema';

/* Both configurations mirror apps/api/src/app.module.ts where they overlap: in-memory code-first
 * schema, sorted, no IDE, no extra plugins. Everything else is each driver's default. */

@Module({})
class MercuriusBenchModule {
  static create(): DynamicModule {
    return {
      module: MercuriusBenchModule,
      imports: [
        GraphQLModule.forRoot<MercuriusDriverConfig>({
          driver: MercuriusDriver,
          autoSchemaFile: true,
          sortSchema: true,
          graphiql: false,
          ide: false,
          path: GRAPHQL_PATH,
        }),
      ],
      providers: [BenchResolver],
    };
  }
}

@Module({})
class ApolloBenchModule {
  static create(): DynamicModule {
    return {
      module: ApolloBenchModule,
      imports: [
        GraphQLModule.forRoot<ApolloDriverConfig>({
          driver: ApolloDriver,
          autoSchemaFile: true,
          sortSchema: true,
          graphiql: false,
          path: GRAPHQL_PATH,
        }),
      ],
      providers: [BenchResolver],
    };
  }
}

export async function createBenchApp(driver: DriverName): Promise<INestApplication<Server>> {
  switch (driver) {
    case 'mercurius':
      return NestFactory.create<INestApplication<Server>>(
        MercuriusBenchModule.create(),
        new FastifyAdapter(),
        { logger: false },
      );
    case 'apollo':
      return NestFactory.create<INestApplication<Server>>(ApolloBenchModule.create(), new ExpressAdapter(), {
        logger: false,
      });
  }
}

function send(message: ServerMessage): void {
  if (!process.send)
    throw new Error('graphql-driver-server must be started with an IPC channel (child_process.fork)');
  process.send(message);
}

async function main(): Promise<void> {
  const driver = process.argv[2];
  if (!isDriverName(driver)) throw new Error(`unknown driver ${String(driver)}`);
  const app = await createBenchApp(driver);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  if (address === null || typeof address === 'string')
    throw new Error('server is not listening on a TCP port');

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await app.close();
    process.exit(0);
  };
  process.on('disconnect', () => void stop());
  process.on('message', (message: unknown) => {
    if (!isControlMessage(message)) return;
    if (message.type === 'stop') {
      void stop();
      return;
    }
    const cpu = process.cpuUsage();
    send({
      type: 'usage',
      id: message.id,
      cpuMicros: cpu.user + cpu.system,
      rssBytes: process.memoryUsage.rss(),
    });
  });
  send({ type: 'ready', port: address.port });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
