import { PATIENT_PORTAL } from '../../lib/portal';
import { signOutAction } from '../actions';

/**
 * The brand bar; signed in, it is also the account area: the person's name, "Change password" (except
 * where they are changing it) and sign-out.
 */
export function SiteHeader({ signedInAs, offerPasswordChange = true }: { signedInAs?: string; offerPasswordChange?: boolean }) {
  return (
    <header className="site-header">
      <div className="wrap site-header__inner">
        <svg className="logo" viewBox="0 0 512 512" aria-hidden="true" focusable="false">
          <rect width="512" height="512" rx="112" fill="currentColor" />
          <path
            d="M104 268h84l32-76 48 152 36-108 22 32h82"
            fill="none"
            stroke="#fff"
            strokeWidth="32"
            strokeLinecap="round"
            strokeLinejoin="round"
          />
        </svg>
        <p className="site-header__name">ClinLoop</p>
        {signedInAs !== undefined && (
          <>
            <span className="site-header__who">{signedInAs}</span>
            <div className="site-header__session">
              {offerPasswordChange && (
                <a className="site-header__link" href={PATIENT_PORTAL.changePasswordPath}>
                  Change password
                </a>
              )}
              <form action={signOutAction}>
                <button type="submit" className="button button--on-brand">
                  Sign out
                </button>
              </form>
            </div>
          </>
        )}
      </div>
    </header>
  );
}
