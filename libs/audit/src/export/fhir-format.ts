import { AuditEntry, AuditOutcome } from '../audit-entry';
import { canonicalJson } from '../canonical-json';
import {
  ExportConsistencyRecord,
  ExportHeader,
  ExportRecord,
  InclusionProof,
  parseEntryJson,
  parseInclusionProof,
  ReadExportRecord,
} from './export-records';
import { recordFromJson, recordToJson } from './record-json';
import { TextLine } from './text-lines';

/**
 * FHIR R4: a `collection` Bundle of AuditEvent resources. Every hashed field has exactly one home
 * in the AuditEvent (the standard element where one fits, a ClinLoop extension otherwise), and the
 * reader rebuilds each resource from the entry it decoded and requires the two to be identical, so
 * no element can be edited without the verifier noticing. The export header sits in a Bundle
 * extension; the trailer (covering checkpoint, manifest signature) in `Bundle.signature`, last.
 *
 * Layout, which the reader relies on: line 1 opens the Bundle up to `"entry":[`; then one bundle
 * entry per line (all but the first starting with a comma); the last line starts `],"signature":`.
 */

const BASE = 'https://clinloop.dev/fhir';
export const FHIR_EXTENSION = {
  chain: `${BASE}/StructureDefinition/audit-chain`,
  exportHeader: `${BASE}/StructureDefinition/audit-export-header`,
  exportTrailer: `${BASE}/StructureDefinition/audit-export-trailer`,
  consistencyProof: `${BASE}/StructureDefinition/audit-consistency-proof`,
} as const;
const SYSTEM = {
  action: `${BASE}/CodeSystem/audit-action`,
  actorType: `${BASE}/CodeSystem/audit-actor-type`,
  role: `${BASE}/CodeSystem/user-role`,
  resourceType: `${BASE}/CodeSystem/audit-resource-type`,
  userId: `${BASE}/sid/user-id`,
  component: `${BASE}/sid/system-component`,
  organizationId: `${BASE}/sid/organization-id`,
  resourceId: `${BASE}/sid/resource-id`,
  dicom: 'http://dicom.nema.org/resources/ontology/DCM',
  objectRole: 'http://terminology.hl7.org/CodeSystem/object-role',
  entityType: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
  sourceType: 'http://terminology.hl7.org/CodeSystem/security-source-type',
} as const;

/** AuditEvent.outcome: 0 success, 4 minor failure (refused), 8 serious failure. One code per outcome, so it maps back. */
const OUTCOME_CODE: Record<AuditOutcome, string> = { success: '0', denied: '4', failure: '8' };
const OUTCOME_OF_CODE: Readonly<Record<string, AuditOutcome>> = { '0': 'success', '4': 'denied', '8': 'failure' };

/** AuditEvent.action (C/R/U/D/E) from the verb at the end of the action name; derived, not hashed. */
function fhirActionCode(action: string): string {
  const verb = action.split('.').pop() ?? action;
  if (/^(create|created|add|added|register|registered|seed|seeded|ingest|ingested)$/.test(verb)) return 'C';
  if (/^(read|view|viewed|list|search|query|export|exported)$/.test(verb)) return 'R';
  if (/^(update|updated|approve|approved|modify|modified|reject|rejected|sign|signed|promote|promoted|change|changed)$/.test(verb)) return 'U';
  if (/^(delete|deleted|remove|removed|revoke|revoked)$/.test(verb)) return 'D';
  return 'E';
}

type FhirJson = Record<string, unknown>;

export function toAuditEvent(entry: AuditEntry, proof: InclusionProof | null): FhirJson {
  const chain: FhirJson[] = [
    { url: 'prevHash', valueString: entry.prevHash },
    { url: 'hash', valueString: entry.hash },
  ];
  // Encoding 1 entries were exported without it; the reader takes its absence as 1.
  if (entry.encoding !== 1) chain.push({ url: 'encoding', valueInteger: entry.encoding });
  if (proof !== null) chain.push({ url: 'inclusionProof', valueString: JSON.stringify(proof) });
  const identifier: FhirJson = { system: entry.actorType === 'user' ? SYSTEM.userId : SYSTEM.component, value: entry.actorId };
  if (entry.actorOrganizationId !== null) identifier.assigner = { identifier: { system: SYSTEM.organizationId, value: entry.actorOrganizationId } };
  const agent: FhirJson = { type: { coding: [{ system: SYSTEM.actorType, code: entry.actorType }] } };
  if (entry.actorRole !== null) agent.role = [{ coding: [{ system: SYSTEM.role, code: entry.actorRole }] }];
  agent.who = { identifier };
  agent.requestor = true;

  const details: FhirJson[] = [{ type: 'payload', valueString: canonicalJson(entry.payload) }];
  if (entry.requestId !== null) details.push({ type: 'requestId', valueString: entry.requestId });
  const resourceEntity: FhirJson = {};
  if (entry.resourceId !== null) resourceEntity.what = { identifier: { system: SYSTEM.resourceId, value: entry.resourceId } };
  resourceEntity.type = { system: SYSTEM.resourceType, code: entry.resourceType };
  resourceEntity.role = { system: SYSTEM.objectRole, code: '4', display: 'Domain Resource' };
  resourceEntity.detail = details;
  const entities: FhirJson[] = [resourceEntity];
  if (entry.patientId !== null) {
    entities.push({
      what: { reference: `Patient/${entry.patientId}` },
      type: { system: SYSTEM.entityType, code: '1', display: 'Person' },
      role: { system: SYSTEM.objectRole, code: '1', display: 'Patient' },
    });
  }

  const event: FhirJson = {
    resourceType: 'AuditEvent',
    id: String(entry.seq),
    extension: [{ url: FHIR_EXTENSION.chain, extension: chain }],
    type:
      entry.patientId === null
        ? { system: SYSTEM.dicom, code: '110100', display: 'Application Activity' }
        : { system: SYSTEM.dicom, code: '110110', display: 'Patient Record' },
    subtype: [{ system: SYSTEM.action, code: entry.action }],
    action: fhirActionCode(entry.action),
    recorded: entry.recordedAt,
    outcome: OUTCOME_CODE[entry.outcome],
  };
  if (entry.reason !== null) event.outcomeDesc = entry.reason;
  event.agent = [agent];
  event.source = { observer: { display: 'ClinLoop' }, type: [{ system: SYSTEM.sourceType, code: '4', display: 'Application Server' }] };
  event.entity = entities;
  return event;
}

/** Reads the hashed fields back from their homes; the caller then checks the resource is exactly `toAuditEvent` of them. */
export function fromAuditEvent(resource: unknown): { entry: AuditEntry; proof: InclusionProof | null } | string {
  const event = asObject(resource);
  if (!event || event.resourceType !== 'AuditEvent') return 'not an AuditEvent';
  const id = event.id;
  if (typeof id !== 'string' || !/^[1-9]\d{0,15}$/.test(id)) return 'AuditEvent.id must be the sequence number';
  const chain = listOf(asObject(listOf(event.extension).find((item) => asObject(item)?.url === FHIR_EXTENSION.chain))?.extension);
  const chainValue = (url: string): unknown => asObject(chain.find((item) => asObject(item)?.url === url))?.valueString;
  const agent = asObject(listOf(event.agent)[0]);
  const identifier = asObject(asObject(agent?.who)?.identifier);
  const assigner = asObject(asObject(identifier?.assigner)?.identifier);
  const roleCoding = asObject(listOf(asObject(listOf(agent?.role)[0])?.coding)[0]);
  const entities = listOf(event.entity);
  const resourceEntity = asObject(entities[0]);
  const details = listOf(resourceEntity?.detail).map(asObject);
  const detail = (type: string): unknown => details.find((item) => item?.type === type)?.valueString;
  const patientReference = asObject(asObject(entities[1])?.what)?.reference;
  const payloadText = detail('payload');
  const proofText = chainValue('inclusionProof');
  const outcomeCode = event.outcome;

  const encodingElement = asObject(chain.find((item) => asObject(item)?.url === 'encoding'));
  const entry = parseEntryJson({
    encoding: encodingElement ? encodingElement.valueInteger : undefined,
    seq: Number(id),
    recordedAt: event.recorded,
    actorType: asObject(listOf(asObject(agent?.type)?.coding)[0])?.code,
    actorId: identifier?.value,
    actorRole: roleCoding ? roleCoding.code : null,
    actorOrganizationId: assigner ? assigner.value : null,
    action: asObject(listOf(event.subtype)[0])?.code,
    resourceType: asObject(resourceEntity?.type)?.code,
    resourceId: resourceEntity?.what === undefined ? null : asObject(asObject(resourceEntity.what)?.identifier)?.value,
    patientId: typeof patientReference === 'string' && patientReference.startsWith('Patient/') ? patientReference.slice('Patient/'.length) : null,
    outcome: typeof outcomeCode === 'string' ? OUTCOME_OF_CODE[outcomeCode] : undefined,
    reason: event.outcomeDesc === undefined ? null : event.outcomeDesc,
    requestId: detail('requestId') ?? null,
    payload: typeof payloadText === 'string' ? parseJson(payloadText) : undefined,
    prevHash: chainValue('prevHash'),
    hash: chainValue('hash'),
  });
  if (typeof entry === 'string') return entry;
  const proof = parseInclusionProof(typeof proofText === 'string' ? parseJson(proofText) : null);
  if (typeof proof === 'string') return proof;
  return { entry, proof };
}

export class FhirExportWriter {
  private entriesWritten = 0;
  private readonly consistency: ExportConsistencyRecord[] = [];

  chunk(record: ExportRecord): string {
    switch (record.kind) {
      case 'header':
        return `${bundleOpening(record)}\n`;
      case 'entry': {
        const line = JSON.stringify({ fullUrl: `urn:clinloop:audit-entry:${record.entry.seq}`, resource: toAuditEvent(record.entry, record.proof) });
        return `${this.entriesWritten++ === 0 ? '' : ','}${line}\n`;
      }
      case 'consistency':
        // Consistency proofs travel in Bundle.signature, written with the trailer; there are few of them.
        this.consistency.push(record);
        return '';
      case 'trailer': {
        const signature = {
          type: [{ system: 'urn:iso-astm:E1762-95:2013', code: '1.2.840.10065.1.12.1.5', display: 'Verification Signature' }],
          when: record.checkpoint.issuedAt,
          who: { display: `ClinLoop audit key ${record.checkpoint.keyId}` },
          sigFormat: 'application/vnd.clinloop.audit-export-manifest.v1',
          data: record.manifestSignature,
          extension: [
            ...this.consistency.map((proof) => ({ url: FHIR_EXTENSION.consistencyProof, valueString: JSON.stringify(recordToJson(proof)) })),
            { url: FHIR_EXTENSION.exportTrailer, valueString: JSON.stringify(recordToJson(record)) },
          ],
        };
        return `],"signature":${JSON.stringify(signature)}}\n`;
      }
    }
  }
}

function bundleOpening(header: ExportHeader): string {
  const opening = JSON.stringify({
    resourceType: 'Bundle',
    type: 'collection',
    timestamp: header.exportedAt,
    extension: [{ url: FHIR_EXTENSION.exportHeader, valueString: JSON.stringify(recordToJson(header)) }],
  });
  return `${opening.slice(0, -1)},"entry":[`;
}

export async function* readFhirRecords(lines: AsyncIterable<TextLine>): AsyncGenerator<ReadExportRecord> {
  let opened = false;
  for await (const line of lines) {
    const location = `line ${line.number}`;
    const text = line.text;
    if (text === '') continue;
    if (!opened) {
      opened = true;
      if (!line.terminated) return;
      if (!text.startsWith('{"resourceType":"Bundle"') || !text.endsWith('"entry":[')) {
        yield malformed(location, 'not a ClinLoop FHIR export: the first line must open the Bundle up to "entry":[');
        return;
      }
      const bundle = asObject(parseJson(`${text}]}`));
      const headerJson = listOf(bundle?.extension).map(asObject).find((item) => item?.url === FHIR_EXTENSION.exportHeader)?.valueString;
      yield typeof headerJson === 'string' ? recordFromJson(parseJson(headerJson), location) : malformed(location, 'the Bundle carries no export header extension');
      continue;
    }
    if (text.startsWith('],"signature":')) {
      const closing = asObject(parseJson(`{${text.slice(2)}`));
      if (!closing) {
        if (line.terminated) yield malformed(location, 'the closing line is not valid JSON');
        return;
      }
      const signature = asObject(closing.signature);
      const extensions = listOf(signature?.extension).map(asObject);
      for (const extension of extensions) {
        if (extension?.url === FHIR_EXTENSION.consistencyProof && typeof extension.valueString === 'string') yield recordFromJson(parseJson(extension.valueString), location);
      }
      const trailerJson = extensions.find((item) => item?.url === FHIR_EXTENSION.exportTrailer)?.valueString;
      const trailer = typeof trailerJson === 'string' ? recordFromJson(parseJson(trailerJson), location) : malformed(location, 'Bundle.signature carries no trailer');
      if (trailer.kind === 'trailer' && trailer.manifestSignature !== signature?.data) {
        yield malformed(location, 'Bundle.signature.data differs from the signed manifest');
        return;
      }
      yield trailer;
      continue;
    }
    const bundleEntry = asObject(parseJson(text.startsWith(',') ? text.slice(1) : text));
    if (!bundleEntry) {
      if (!line.terminated) return;
      yield malformed(location, 'not a JSON bundle entry');
      continue;
    }
    yield auditEventRecord(bundleEntry, location);
  }
}

function auditEventRecord(bundleEntry: FhirJson, location: string): ReadExportRecord {
  const decoded = fromAuditEvent(bundleEntry.resource);
  const claimedSeq = Number(asObject(bundleEntry.resource)?.id);
  const seq = Number.isSafeInteger(claimedSeq) ? claimedSeq : null;
  if (typeof decoded === 'string') return malformed(location, decoded, seq);
  const rebuilt = toAuditEvent(decoded.entry, decoded.proof);
  let identical: boolean;
  try {
    identical = canonicalJson(rebuilt) === canonicalJson(bundleEntry.resource) && bundleEntry.fullUrl === `urn:clinloop:audit-entry:${decoded.entry.seq}`;
  } catch {
    identical = false;
  }
  if (!identical) {
    return { kind: 'malformed', location, seq: decoded.entry.seq, message: `AuditEvent ${decoded.entry.seq} has elements that differ from its hashed entry: it was edited`, altered: true };
  }
  return { kind: 'entry', entry: decoded.entry, proof: decoded.proof };
}

function malformed(location: string, message: string, seq: number | null = null): ReadExportRecord {
  return { kind: 'malformed', location, seq, message };
}

function asObject(value: unknown): FhirJson | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as FhirJson) : undefined;
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
