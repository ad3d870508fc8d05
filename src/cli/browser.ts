import { spawn } from 'node:child_process';

/**
 * Opens `url` in the default browser when this looks like a desktop session; returns whether it tried.
 * macOS: `open`; Windows: `rundll32 url.dll,FileProtocolHandler` (no shell, so `&` in the URL is safe);
 * elsewhere `xdg-open`, only with a display (DISPLAY / WAYLAND_DISPLAY). Never over SSH. Failures are silent:
 * the URL is printed anyway.
 */
export function openInBrowser(
  url: string,
  env: Record<string, string | undefined>,
  platform: NodeJS.Platform = process.platform,
): boolean {
  if (env.SSH_CONNECTION || env.SSH_TTY) return false;
  let command: string;
  let args: string[];
  if (platform === 'darwin') {
    command = 'open';
    args = [url];
  } else if (platform === 'win32') {
    command = 'rundll32';
    args = ['url.dll,FileProtocolHandler', url];
  } else {
    if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return false;
    command = 'xdg-open';
    args = [url];
  }
  try {
    const child = spawn(command, args, { detached: true, stdio: 'ignore' });
    child.on('error', () => undefined);
    child.unref();
    return true;
  } catch {
    return false;
  }
}
