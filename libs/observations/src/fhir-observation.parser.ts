import {
  LOINC_BP_PANEL,
  LOINC_DIASTOLIC,
  LOINC_HEART_RATE,
  LOINC_SYSTOLIC,
  type Quantity,
} from '@clinloop/clinical';
import { ObservationErrorCode } from './errors';
import { utcOffsetMinutesOf } from './reading';
import type { ParseResult } from './wearable-reading.parser';

/**
 * `Observation.identifier` system that carries the device and its sequence number as
 * `<deviceId>:<sequence>`: the same key a native message has, so both dedupe to one row.
 */
export const DEVICE_READING_IDENTIFIER_SYSTEM = 'urn:clinloop:device-reading';
const LOINC_SYSTEM = 'http://loinc.org';
const ACCEPTED_STATUSES = new Set(['final', 'amended', 'corrected', 'preliminary']);
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const RFC3339_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

type JsonRecord = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function records(value: unknown): JsonRecord[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function hasLoinc(concept: unknown, code: string): boolean {
  return (
    isRecord(concept) &&
    records(concept.coding).some((coding) => coding.system === LOINC_SYSTEM && coding.code === code)
  );
}

function quantityOf(holder: JsonRecord): Quantity | null {
  const quantity = holder.valueQuantity;
  if (!isRecord(quantity) || typeof quantity.value !== 'number') return null;
  // UCUM `code` is the machine-readable unit; `unit` is display text, used only when code is absent.
  const unit =
    typeof quantity.code === 'string'
      ? quantity.code
      : typeof quantity.unit === 'string'
        ? quantity.unit
        : null;
  return unit === null ? null : { value: quantity.value, unit };
}

function invalid(reason: string): ParseResult {
  return {
    ok: false,
    rejection: { code: ObservationErrorCode.SCHEMA_INVALID, reason: `FHIR Observation: ${reason}` },
  };
}

function referencedId(reference: unknown, resourceType: string): string | null {
  if (!isRecord(reference) || typeof reference.reference !== 'string') return null;
  const match = new RegExp(`^${resourceType}/(.+)$`).exec(reference.reference);
  return match?.[1] && UUID.test(match[1]) ? match[1].toLowerCase() : null;
}

/**
 * Maps a FHIR R4 Observation (a 85354-9 panel with 8480-6 / 8462-4 components and optionally an
 * 8867-4 component, or a lone 8867-4 heart rate) to the same claim a native message gives.
 */
export function parseFhirObservation(value: unknown): ParseResult {
  if (!isRecord(value) || value.resourceType !== 'Observation')
    return invalid('resourceType must be "Observation"');
  if (typeof value.status !== 'string' || !ACCEPTED_STATUSES.has(value.status)) {
    return invalid(`status must be one of ${[...ACCEPTED_STATUSES].join(', ')}`);
  }
  const identifier = records(value.identifier).find(
    (entry) => entry.system === DEVICE_READING_IDENTIFIER_SYSTEM,
  );
  const identifierMatch =
    typeof identifier?.value === 'string' ? /^([0-9a-fA-F-]{36}):(\d{1,16})$/.exec(identifier.value) : null;
  const deviceFromIdentifier = identifierMatch?.[1];
  if (!identifierMatch || !deviceFromIdentifier || !UUID.test(deviceFromIdentifier)) {
    return invalid(
      `identifier with system ${DEVICE_READING_IDENTIFIER_SYSTEM} and value "<deviceId>:<sequence>" is required`,
    );
  }
  const sequence = Number(identifierMatch[2]);
  if (!Number.isSafeInteger(sequence)) return invalid('sequence is too large');
  const deviceId = deviceFromIdentifier.toLowerCase();
  const deviceReference = referencedId(value.device, 'Device');
  if (deviceReference !== null && deviceReference !== deviceId)
    return invalid('device.reference and identifier name different devices');
  const patientId = referencedId(value.subject, 'Patient');
  if (patientId === null) return invalid('subject.reference must be "Patient/<uuid>"');
  const effective = value.effectiveDateTime;
  if (typeof effective !== 'string' || !RFC3339_WITH_OFFSET.test(effective)) {
    return invalid('effectiveDateTime must be a date-time with seconds and a UTC offset');
  }
  const measuredAt = new Date(effective);
  if (Number.isNaN(measuredAt.getTime())) return invalid(`effectiveDateTime ${effective} is not a real time`);

  let systolic: Quantity | null = null;
  let diastolic: Quantity | null = null;
  let heartRate: Quantity | null = null;
  if (hasLoinc(value.code, LOINC_BP_PANEL)) {
    const components = records(value.component);
    const componentWith = (code: string): JsonRecord | undefined =>
      components.find((component) => hasLoinc(component.code, code));
    const sbpComponent = componentWith(LOINC_SYSTOLIC);
    const dbpComponent = componentWith(LOINC_DIASTOLIC);
    systolic = sbpComponent ? quantityOf(sbpComponent) : null;
    diastolic = dbpComponent ? quantityOf(dbpComponent) : null;
    if (!systolic || !diastolic)
      return invalid(
        `a ${LOINC_BP_PANEL} panel needs ${LOINC_SYSTOLIC} and ${LOINC_DIASTOLIC} components with valueQuantity`,
      );
    const hrComponent = componentWith(LOINC_HEART_RATE);
    heartRate = hrComponent ? quantityOf(hrComponent) : null;
  } else if (hasLoinc(value.code, LOINC_HEART_RATE)) {
    heartRate = quantityOf(value);
    if (!heartRate) return invalid(`a ${LOINC_HEART_RATE} Observation needs valueQuantity`);
  } else {
    return invalid(`code must be LOINC ${LOINC_BP_PANEL} (BP panel) or ${LOINC_HEART_RATE} (heart rate)`);
  }

  return {
    ok: true,
    claim: {
      source: 'fhir',
      deviceId,
      sequence,
      patientId,
      measuredAt,
      utcOffsetMinutes: utcOffsetMinutesOf(effective),
      systolic,
      diastolic,
      heartRate,
      steps: null,
      bodyPosition: null,
      firmware: null,
    },
  };
}

/** A FHIR R4 Observation for a claim (used by the simulator, tests and exports). */
export function toFhirObservation(claim: {
  readonly deviceId: string;
  readonly sequence: number;
  readonly patientId: string;
  readonly measuredAt: string;
  readonly systolic: Quantity;
  readonly diastolic: Quantity;
  readonly heartRate?: Quantity | null;
}): JsonRecord {
  const loinc = (code: string, display: string): JsonRecord => ({
    coding: [{ system: LOINC_SYSTEM, code, display }],
  });
  const quantity = (q: Quantity): JsonRecord => ({
    value: q.value,
    unit: q.unit,
    system: 'http://unitsofmeasure.org',
    code: q.unit,
  });
  return {
    resourceType: 'Observation',
    status: 'final',
    identifier: [{ system: DEVICE_READING_IDENTIFIER_SYSTEM, value: `${claim.deviceId}:${claim.sequence}` }],
    category: [
      {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' },
        ],
      },
    ],
    code: loinc(LOINC_BP_PANEL, 'Blood pressure panel with all children optional'),
    subject: { reference: `Patient/${claim.patientId}` },
    device: { reference: `Device/${claim.deviceId}` },
    effectiveDateTime: claim.measuredAt,
    component: [
      { code: loinc(LOINC_SYSTOLIC, 'Systolic blood pressure'), valueQuantity: quantity(claim.systolic) },
      { code: loinc(LOINC_DIASTOLIC, 'Diastolic blood pressure'), valueQuantity: quantity(claim.diastolic) },
      ...(claim.heartRate
        ? [{ code: loinc(LOINC_HEART_RATE, 'Heart rate'), valueQuantity: quantity(claim.heartRate) }]
        : []),
    ],
  };
}
