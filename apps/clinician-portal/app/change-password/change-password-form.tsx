import { PasswordChangeForm } from '@clinloop/portal-kit/password-change-form';
import { CLINICIAN_PASSWORD_CHANGE } from '../../lib/portal';
import { changePasswordAction } from '../actions';

/** The shared change-password form in this portal's design; a temporary password goes in "Current password". */
export function ChangePasswordForm({ email, temporary }: { email: string; temporary: boolean }) {
  return (
    <PasswordChangeForm
      action={changePasswordAction}
      wording={CLINICIAN_PASSWORD_CHANGE}
      email={email}
      currentPasswordHint={temporary ? 'The temporary password an administrator gave you.' : undefined}
      submitLabel="Save new password"
      classNames={{ form: 'panel form', error: 'banner banner--bad', submit: 'button button--primary' }}
    />
  );
}
