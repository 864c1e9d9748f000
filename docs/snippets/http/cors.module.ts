import { Module } from '@nestjs/common';
import { McpModule } from '@nest-mcp/mcp';

@Module({
  imports: [
    // #region origins
    McpModule.forRoot({ name: 'notes', version: '1.0.0', allowedOrigins: ['https://app.example.com', 'http://localhost:*'] }),
    // #endregion
  ],
})
export class AppModule {}
