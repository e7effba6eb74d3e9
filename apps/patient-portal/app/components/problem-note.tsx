/** A section whose data could not be loaded: says so plainly, never shows a stack trace. */
export function ProblemNote({ what, message }: { what: string; message: string }) {
  return (
    <div className="notice notice--warning" role="alert">
      <p>
        <strong>{what} could not be loaded.</strong> {message}
      </p>
    </div>
  );
}
