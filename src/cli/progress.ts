/**
 * A progress line on stderr: a spinner redrawn in place on a TTY, one plain line otherwise (logs and
 * CI keep a readable record). `done` clears the spinner; the caller prints the result.
 */
export interface Progress {
  update(text: string): void;
  done(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function startProgress(text: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) {
    stream.write(`${text}\n`);
    return { update: () => undefined, done: () => undefined };
  }
  let current = text;
  let frame = 0;
  const draw = (): void => {
    stream.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${current}`);
  };
  draw();
  const timer = setInterval(draw, 80);
  timer.unref();
  let finished = false;
  return {
    update(next) {
      current = next;
      draw();
    },
    done() {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      stream.write('\r\x1b[2K');
    },
  };
}
