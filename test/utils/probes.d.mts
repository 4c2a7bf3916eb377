/** Whether `url` answers a GET with a 2xx status (false while nothing listens). */
export declare function answersHttp(url: string): Promise<boolean>;

/** Whether something accepts TCP connections on `port` of 127.0.0.1. */
export declare function acceptsTcp(port: number): Promise<boolean>;
