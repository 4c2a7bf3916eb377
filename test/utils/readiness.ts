/** The status /health/ready answers at `httpUrl` (`http://127.0.0.1:<port>`): 200 ready, 503 not. */
export async function readyStatus(httpUrl: string): Promise<number> {
  const response = await fetch(`${httpUrl}/health/ready`, { signal: AbortSignal.timeout(5000) });
  return response.status;
}
