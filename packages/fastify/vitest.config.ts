import { defineProject } from 'vitest/config';
import { projectConfig } from '../../vitest.shared.ts';

export default defineProject(projectConfig('@arm/fastify'));
