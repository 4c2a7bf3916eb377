import net from 'node:net';

/**
 * Whether `url` answers a GET with a 2xx status (false while nothing listens).
 * @param {string} url
 * @returns {Promise<boolean>}
 */
export function answersHttp(url) {
  return fetch(url).then(
    (response) => response.ok,
    () => false,
  );
}

/**
 * Whether something accepts TCP connections on `port` of 127.0.0.1.
 * @param {number} port
 * @returns {Promise<boolean>}
 */
export function acceptsTcp(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
