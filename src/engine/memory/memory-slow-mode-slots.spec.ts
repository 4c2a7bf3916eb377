import { MemorySlowModeSlots } from './memory-slow-mode-slots.js';

describe('MemorySlowModeSlots', () => {
  it('gives a user one slot per interval per room, answering the wait for the next', () => {
    const sut = new MemorySlowModeSlots();

    expect(sut.take('ops', 'ada', 5000, 1000)).toBe(0);
    expect(sut.take('ops', 'ada', 5000, 3000)).toBe(3000);
    expect(sut.take('dev', 'ada', 5000, 3000)).toBe(0);
    expect(sut.take('ops', 'bob', 5000, 3000)).toBe(0);
    expect(sut.take('ops', 'ada', 5000, 6000)).toBe(0);
  });
});
