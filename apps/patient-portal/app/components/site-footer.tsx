import { EMERGENCY_GUIDANCE } from '../../lib/guidance';

export function SiteFooter() {
  return (
    <footer className="site-footer">
      <div className="wrap">
        <p>Emergency guidance: {EMERGENCY_GUIDANCE.source}.</p>
        <p>ClinLoop supports your care team. It does not replace medical care.</p>
      </div>
    </footer>
  );
}
