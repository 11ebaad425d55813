import { CommandIo } from './commands';

/** STUB: `azureml-tls dns` (issue 11). Parses its own flags; returns the exit code. */
export function runDnsCli(argv: string[], io: CommandIo): number | Promise<number> {
  void argv;
  io.err('error: dns is not implemented yet');
  return 2;
}
