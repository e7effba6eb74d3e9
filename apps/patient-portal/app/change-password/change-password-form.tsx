import { PasswordChangeForm } from '@clinloop/portal-kit/password-change-form';
import { PATIENT_PASSWORD_CHANGE } from '../../lib/portal';
import { changePasswordAction } from '../actions';

/** The shared change-password form in this portal's design; a temporary password goes in "Current password". */
export function ChangePasswordForm({ email, temporary }: { email: string; temporary: boolean }) {
  return (
    <PasswordChangeForm
      action={changePasswordAction}
      wording={PATIENT_PASSWORD_CHANGE}
      email={email}
      currentPasswordHint={temporary ? 'The temporary password your care team gave you.' : undefined}
      submitLabel="Save my new password"
      classNames={{ form: 'card form', error: 'form-error', submit: 'button button--primary button--wide' }}
    />
  );
}
