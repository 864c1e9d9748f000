import { Test } from '@nestjs/testing';
import { MathTools } from '../quick-start/math.tools.js';

describe('MathTools', () => {
  it('adds', async () => {
    const moduleRef = await Test.createTestingModule({ providers: [MathTools] }).compile();
    expect(moduleRef.get(MathTools).add({ a: 2, b: 40 })).toEqual({ sum: 42 });
  });
});
