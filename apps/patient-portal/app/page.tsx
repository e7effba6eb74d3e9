import { passwordJustChanged } from '@clinloop/portal-kit';
import { currentSession, type SearchParams } from '@clinloop/portal-kit/session';
import { PATIENT_PORTAL } from '../lib/portal';
import { PatientHome } from './components/patient-home';
import { PublicHome } from './components/public-home';

/** Signed in: the patient's alerts, readings and reading entry. Signed out: emergency guidance and sign-in. */
export default async function HomePage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const session = await currentSession(PATIENT_PORTAL);
  return session ? <PatientHome session={session} passwordChanged={passwordJustChanged(await searchParams)} /> : <PublicHome />;
}
