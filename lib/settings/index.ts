export * from './model';
export * from './keys';
export * from './tls';
export * from './rules';
export * from './derive';
export * from './values';
export * from './extension-model';
export * from './names';
