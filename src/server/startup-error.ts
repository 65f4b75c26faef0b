/** A start that cannot go on: the message says what is wrong and which setting to check; `problems` lists the details. */
export class StartupError extends Error {
  constructor(
    message: string,
    readonly problems: string[] = [],
  ) {
    super(message);
  }
}
