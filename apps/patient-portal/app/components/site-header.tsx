import { signOutAction } from '../actions';

/** The brand bar; signed in, it names the person and offers sign-out. */
export function SiteHeader({ signedInAs }: { signedInAs?: string }) {
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
          <form action={signOutAction} className="site-header__session">
            <span className="site-header__who">{signedInAs}</span>
            <button type="submit" className="button button--on-brand">
              Sign out
            </button>
          </form>
        )}
      </div>
    </header>
  );
}
