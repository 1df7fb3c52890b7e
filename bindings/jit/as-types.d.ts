declare type u16 = number;
