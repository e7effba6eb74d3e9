import { SignInForm as PortalSignInForm } from '@clinloop/portal-kit/sign-in-form';
import { signInAction } from '../actions';

/** Patients know their organization as the clinic code their care team gave them; the hint comes first. */
export function SignInForm({ defaultOrganization }: { defaultOrganization: string }) {
  return (
    <PortalSignInForm
      action={signInAction}
      defaultOrganization={defaultOrganization}
      organizationLabel="Clinic code"
      organizationHint="Your care team gave you this code, for example demo-clinic."
      organizationHintFirst
      classNames={{ form: 'card form', error: 'form-error', submit: 'button button--primary button--wide' }}
    />
  );
}
