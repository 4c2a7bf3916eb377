import { JoinedRooms } from './joined-rooms.js';

describe('JoinedRooms', () => {
  it('behaves as a Set of rooms through joins and leaves, in join order', () => {
    const sut = new JoinedRooms();
    const model = new Set<string>();
    const steps: Array<['add' | 'delete', string]> = [
      ['add', 'lobby'],
      ['add', 'lobby'],
      ['delete', 'elsewhere'],
      ['add', 'a'],
      ['add', 'b'],
      ['delete', 'lobby'],
      ['delete', 'lobby'],
      ['delete', 'a'],
      ['add', 'lobby'],
      ['delete', 'b'],
      ['delete', 'lobby'],
      ['delete', 'lobby'],
      ['add', 'c'],
    ];

    for (const [step, room] of steps) {
      if (step === 'add') {
        expect(sut.add(room)).toBe(sut);
        model.add(room);
      } else expect(sut.delete(room)).toBe(model.delete(room));
      expect([...sut]).toEqual([...model]);
      expect(sut.size).toBe(model.size);
      for (const probe of ['lobby', 'a', 'b', 'c', 'elsewhere'])
        expect(sut.has(probe)).toBe(model.has(probe));
    }
  });

  it('starts empty', () => {
    const sut = new JoinedRooms();

    expect(sut.size).toBe(0);
    expect([...sut]).toEqual([]);
    expect(sut.has('lobby')).toBe(false);
  });
});
