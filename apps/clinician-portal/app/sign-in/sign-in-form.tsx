import { SignInForm as PortalSignInForm } from '@clinloop/portal-kit/sign-in-form';
import { signInAction } from '../actions';

/** Staff sign in with their organization's handle and, after the password, their authenticator code. */
export function SignInForm({ defaultOrganization }: { defaultOrganization: string }) {
  return (
    <PortalSignInForm
      action={signInAction}
      defaultOrganization={defaultOrganization}
      organizationLabel="Organization"
      organizationHint="Your organization's handle, for example demo-clinic."
      classNames={{ form: 'panel form', error: 'banner banner--bad', submit: 'button button--primary' }}
    >
      <div className="field">
        <label htmlFor="totpCode">Authenticator code</label>
        <input id="totpCode" name="totpCode" type="text" inputMode="numeric" pattern="[0-9]{6}" maxLength={7} autoComplete="one-time-code" required aria-describedby="totp-hint" />
        <p className="hint" id="totp-hint">
          The 6-digit code your authenticator app shows now.
        </p>
      </div>
    </PortalSignInForm>
  );
}
