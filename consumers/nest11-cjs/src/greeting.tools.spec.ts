import { Test, TestingModule } from '@nestjs/testing';
import { AppService } from './app.service';
import { GreetingTools } from './greeting.tools';

describe('GreetingTools', () => {
  let tools: GreetingTools;

  beforeEach(async () => {
    const app: TestingModule = await Test.createTestingModule({
      providers: [AppService, GreetingTools],
    }).compile();

    tools = app.get(GreetingTools);
  });

  it('greets through the injected service', () => {
    expect(tools.greet({ name: 'Ada' })).toBe('Hello Ada!');
  });
});
