import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '@clinloop/observability';
import { mappingFor } from './error-map';

const GENERIC_MESSAGE = 'Something went wrong on our side. It has been logged; please try again or contact support.';

/**
 * Errors of the HTTP routes (health, OAuth token endpoint, JWKS, exports) leave with the same codes
 * as GraphQL errors: `{ error: { code, errorCode, message, requestId } }` and the mapped status.
 * GraphQL errors pass through to the GraphQL error formatter.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): unknown {
    if (host.getType<string>() !== 'http') return exception;
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (exception instanceof HttpException) {
      return reply.status(exception.getStatus()).send({ error: { code: 'BAD_REQUEST', message: exception.message, requestId: request.id } });
    }
    const mapping = mappingFor(exception);
    if (mapping.exposeMessage) this.logger.info({ code: mapping.code, requestId: request.id }, (exception as Error).message);
    else this.logger.error({ err: exception, requestId: request.id }, 'route failed');
    return reply.status(mapping.httpStatus).send({
      error: {
        code: mapping.graphqlCode,
        errorCode: mapping.code,
        message: mapping.exposeMessage ? (exception as Error).message : GENERIC_MESSAGE,
        requestId: request.id,
      },
    });
  }
}
