import { Injectable } from '@nestjs/common';
import { McpTool } from '@nest-mcp/mcp';
import { trace } from '@opentelemetry/api';
import { z } from 'zod';

const tracer = trace.getTracer('weather');

@Injectable()
export class WeatherTools {
  // #region tool
  @McpTool({ name: 'get_weather', description: 'The weather of a city.', input: z.object({ city: z.string() }) })
  getWeather({ city }: { city: string }): Promise<string> {
    // A child of the `tools/call get_weather` span.
    return tracer.startActiveSpan('fetch forecast', async (span) => {
      try {
        return `Sunny in ${city}`;
      } finally {
        span.end();
      }
    });
  }
  // #endregion tool
}
